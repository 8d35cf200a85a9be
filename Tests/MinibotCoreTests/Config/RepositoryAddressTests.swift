import Testing
import MinibotCore

@Suite struct RepositoryAddressTests {
    @Test func schemesMakeURLs() {
        #expect(RepositoryAddress("https://host/repo.git") == .url(scheme: "https", address: "https://host/repo.git"))
        #expect(RepositoryAddress("file:///srv/repo.git") == .url(scheme: "file", address: "file:///srv/repo.git"))
        #expect(RepositoryAddress("ssh://git@host:22/repo") == .url(scheme: "ssh", address: "ssh://git@host:22/repo"))
        #expect(RepositoryAddress("git+ssh://host/r") == .url(scheme: "git+ssh", address: "git+ssh://host/r"))
    }

    @Test func aColonBeforeTheFirstSlashIsScpLike() {
        #expect(RepositoryAddress("git@host:team/repo.git") == .scp(user: "git", host: "host", path: "team/repo.git"))
        #expect(RepositoryAddress("host:repo.git") == .scp(user: nil, host: "host", path: "repo.git"))
    }

    @Test func aSlashBeforeTheColonIsLocal() {
        #expect(RepositoryAddress("./a:b") == .local(path: "./a:b"))
        #expect(RepositoryAddress("/x:y") == .local(path: "/x:y"))
        #expect(RepositoryAddress("repos/demo.git") == .local(path: "repos/demo.git"))
        #expect(RepositoryAddress("./a://b") == .local(path: "./a://b"))
    }

    @Test func onlyRelativeLocalPathsAreResolved() {
        #expect(RepositoryAddress("repos/../demo.git").resolved(relativeTo: "/srv/master") == "/srv/master/demo.git")
        #expect(RepositoryAddress("./a:b").resolved(relativeTo: "/m") == "/m/a:b")
        #expect(RepositoryAddress("/x:y").resolved(relativeTo: "/m") == "/x:y")
        #expect(RepositoryAddress("host:repo.git").resolved(relativeTo: "/m") == "host:repo.git")
        #expect(RepositoryAddress("git@host:r").resolved(relativeTo: "/m") == "git@host:r")
        #expect(RepositoryAddress("https://h/r").resolved(relativeTo: "/m") == "https://h/r")
    }
}
