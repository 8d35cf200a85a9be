@testable import MinibotMaster
import Testing

/// The log colouriser: ANSI escapes become CSS classes, text is escaped, state carries over.
@Suite struct AnsiToHTMLTests {
    func render(_ chunks: String...) -> [String] {
        var c = AnsiToHTML()
        var lines = chunks.flatMap { c.feed($0) }
        if let last = c.finish() { lines.append(last) }
        return lines
    }

    @Test("plain text is escaped, markup shows as text")
    func escapes() {
        #expect(render("<b>x</b> & \"q\" 'a'\n") == ["&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; &#39;a&#39;"])
    }

    @Test("bold with a colour, then reset")
    func boldAndColour() {
        #expect(render("\u{1B}[1;31mred\u{1B}[0m plain\n") == ["<span class=\"f1 bold\">red</span> plain"])
    }

    @Test("bright, background, 256 and RGB colours")
    func colours() {
        #expect(render("\u{1B}[92ma\u{1B}[44mb\u{1B}[39;49mc\n") == ["<span class=\"f10\">a</span><span class=\"f10 b4\">b</span>c"])
        #expect(render("\u{1B}[38;5;208mo\n") == ["<span class=\"f208\">o</span>"])
        #expect(render("\u{1B}[38;2;255;0;0mr\n") == ["<span class=\"f196\">r</span>"])
        #expect(render("\u{1B}[48;2;128;128;128mg\n") == ["<span class=\"b244\">g</span>"])
    }

    @Test("colour state carries across lines and across chunk boundaries, even inside an escape")
    func carriesState() {
        #expect(render("\u{1B}[3", "2mgreen\nstill", " green\u{1B}[", "0m\nplain\n")
                == ["<span class=\"f2\">green</span>", "<span class=\"f2\">still green</span>", "plain"])
    }

    @Test("malformed and unknown sequences are dropped, never shown or fatal")
    func malformed() {
        #expect(render("a\u{1B}[38;5mb\n") == ["ab"])
        #expect(render("a\u{1B}[38;5;999mb\n") == ["ab"])
        #expect(render("a\u{1B}[2Kb\u{1B}(Bc\u{1B}\n") == ["abc"])
        #expect(render("a\u{1B}[1;:mb\n") == ["ab"])
        // By ECMA-48 any letter ends a CSI: `x` ends this one (unknown, dropped), `m` is text.
        #expect(render("a\u{1B}[1;xmb\n") == ["amb"])
        #expect(render("a\u{1B}[99999999999999999999mb\n") == ["ab"])
        let long = "\u{1B}[" + String(repeating: "1;", count: 100) + "m"
        #expect(render("a" + long + "b\n").first?.contains("<") == false)
    }

    @Test("a carriage return keeps what follows it; a last line without newline counts")
    func carriageReturn() {
        #expect(render("10%\r50%\r100%\r\ndone") == ["100%", "done"])
    }

    @Test("plain text: sequences dropped, nothing escaped, even across chunks")
    func plainText() {
        var c = AnsiToHTML(plainText: true)
        let lines = c.feed("\u{1B}[1;3") + c.feed("1m<b>red</b>\u{1B}[0m & co\n")
        #expect(lines == ["<b>red</b> & co"])
    }

    @Test("advancing over a line changes the style as rendering it would")
    func advance() {
        for line in ["\u{1B}[1;31ma\u{1B}[0;4mb", "x\u{1B}[38;5;9", "\u{1B}[32mok\rover", "plain", "\u{1B}[2K\u{1B}[44m"] {
            var rendered = AnsiToHTML(), advanced = AnsiToHTML()
            _ = rendered.render(line: line)
            advanced.advance(line: line)
            #expect(rendered.style == advanced.style, "\(line.debugDescription)")
        }
    }

    @Test("the nearest of 256 colours")
    func nearest() {
        #expect(AnsiToHTML.nearest256(0, 0, 0) == 16)
        #expect(AnsiToHTML.nearest256(255, 255, 255) == 231)
        #expect(AnsiToHTML.nearest256(0, 0, 255) == 21)
    }
}
