import Testing
import MinibotCore

@Suite struct FileFilterTests {
    @Test func doubleStarMatchesAnyDepthIncludingNone() {
        let f = FileFilter(["src/**/*.swift"])
        #expect(f.matches("src/a.swift"))
        #expect(f.matches("src/x/y/a.swift"))
        #expect(!f.matches("src/a.c"))
        #expect(!f.matches("other/src/a.swift"))
        #expect(!f.matches("src"))
    }

    @Test func singleStarStaysWithinASegment() {
        let f = FileFilter(["src/*.swift"])
        #expect(f.matches("src/a.swift"))
        #expect(!f.matches("src/x/a.swift"))
    }

    @Test func bareNamePatternMatchesTheFileNameAnywhere() {
        let f = FileFilter(["*.md"])
        #expect(f.matches("README.md"))
        #expect(f.matches("docs/guide/intro.md"))
        #expect(!f.matches("docs/md/file.txt"))
    }

    @Test func leadingSlashAnchorsAtTheRoot() {
        let f = FileFilter(["/Makefile"])
        #expect(f.matches("Makefile"))
        #expect(!f.matches("sub/Makefile"))
    }

    @Test func directoryPatternsMatchEverythingBelow() {
        #expect(FileFilter(["docs/"]).matches("docs/a/b.txt"))
        #expect(FileFilter(["docs/**"]).matches("docs/a.txt"))
        #expect(!FileFilter(["docs/**"]).matches("src/docs.txt"))
    }

    @Test func questionMarkClassesAndEscapes() {
        #expect(FileFilter(["v?.txt"]).matches("v1.txt"))
        #expect(!FileFilter(["v?.txt"]).matches("v10.txt"))
        #expect(FileFilter(["lib[ab].c"]).matches("liba.c"))
        #expect(!FileFilter(["lib[ab].c"]).matches("libc.c"))
        #expect(FileFilter(["lib[!ab].c"]).matches("libc.c"))
        #expect(FileFilter(["file[0-9].o"]).matches("file7.o"))
        #expect(FileFilter(["\\*.txt"]).matches("*.txt"))
        #expect(!FileFilter(["\\*.txt"]).matches("a.txt"))
        #expect(FileFilter(["a*b*c"]).matches("aXXbYYbZc"))
    }

    @Test func anyFileOfAChangeMatchingAnyPatternIsEnough() {
        let f = FileFilter(["src/**", "Package.swift"])
        #expect(f.matches(anyOf: ["README.md", "Package.swift"]))
        #expect(f.matches(anyOf: ["./src/main.swift"]))
        #expect(!f.matches(anyOf: ["README.md", "docs/x.md"]))
        #expect(!f.matches(anyOf: []))
    }
}
