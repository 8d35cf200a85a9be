/// Turns terminal output with ANSI colour codes into HTML lines whose colours are CSS
/// classes (never inline styles), every character of the text HTML-escaped.
///
/// Pure and incremental: feed chunks as they come from the store and it returns the lines
/// they complete; the colour state (and a line or escape sequence cut by a chunk boundary)
/// carries over to the next chunk. Understood: SGR `ESC[…m` with reset, bold, faint, italic,
/// underline, the 16 colours, 256 colours (`38;5;N`) and RGB (`38;2;R;G;B`, shown as the
/// nearest of the 256). Other escape sequences (cursor moves, erase) are dropped, and so is
/// a malformed one; a `\r` keeps what follows it, as a terminal would show a progress line.
///
/// Classes: `fN`/`bN` for foreground/background colour N (0–255), `bold`, `faint`, `italic`,
/// `underline`. ``stylesheet`` defines them.
struct AnsiToHTML: Sendable {
    /// The styling in force.
    struct Style: Sendable, Equatable {
        var foreground: Int?
        var background: Int?
        var isBold = false
        var isFaint = false
        var isItalic = false
        var isUnderlined = false

        /// The CSS classes, empty for plain text.
        var classes: String {
            var c: [String] = []
            if let foreground { c.append("f\(foreground)") }
            if let background { c.append("b\(background)") }
            if isBold { c.append("bold") }
            if isFaint { c.append("faint") }
            if isItalic { c.append("italic") }
            if isUnderlined { c.append("underline") }
            return c.joined(separator: " ")
        }
    }

    /// The longest escape sequence kept waiting for its end; a longer one is malformed.
    static let maxSequence = 64

    /// Settable, so a line kept aside can be rendered later from the style it started with.
    var style = Style()
    /// The start of a line whose end has not come yet.
    private var partial: [Unicode.Scalar] = []

    /// Plain text instead of HTML: the escape sequences are dropped and nothing is escaped
    /// (the raw log without colours, `…/logs/stdio/text`).
    let isPlainText: Bool

    init(plainText: Bool = false) { isPlainText = plainText }

    /// The lines that `chunk` completes, as HTML (without the newline).
    mutating func feed(_ chunk: String) -> [String] {
        var lines: [String] = []
        for scalar in chunk.unicodeScalars {
            if scalar == "\n" {
                lines.append(render(partial))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(scalar)
            }
        }
        return lines
    }

    /// The last line, when the log does not end with a newline (nil when it does).
    mutating func finish() -> String? {
        guard !partial.isEmpty else { return nil }
        defer { partial.removeAll() }
        return render(partial)
    }

    /// Renders one whole line, updating the style; spans close at the end of the line and
    /// reopen on the next, so every line is HTML on its own (anchors, a tail of lines).
    /// Renders one whole line (without its newline) and updates the style.
    mutating func render(line: some StringProtocol) -> String {
        render(Array(line.unicodeScalars))
    }

    /// Updates the style as `line` would, without rendering it: a line without an escape
    /// sequence (most of a log) costs one scan for ESC.
    mutating func advance(line: some StringProtocol) {
        guard line.utf8.contains(0x1B) else { return }
        // Only the escape sequences matter here: no text is built.
        let scalars = Array(line.unicodeScalars)[...]
        var i = scalars.startIndex
        while let escape = scalars[i...].firstIndex(of: "\u{1B}") {
            let (end, parameters, final) = Self.sequence(scalars, from: escape)
            if final == "m", let parameters { apply(parameters) }
            i = end
        }
    }

    private mutating func render(_ line: [Unicode.Scalar]) -> String {
        var scalars = line
        if scalars.last == "\r" { scalars.removeLast() }
        // A carriage return inside a line: a terminal shows what was written after it. The
        // escape sequences before it still change the style, so they are applied, not lost.
        if let cr = scalars.lastIndex(of: "\r") {
            _ = renderRun(scalars[..<cr])
            scalars = Array(scalars[scalars.index(after: cr)...])
        }
        return renderRun(scalars[...])
    }

    private mutating func renderRun(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var html = ""
        var text = ""
        var open = style
        func flush() {
            guard !text.isEmpty else { return }
            let classes = open.classes
            if classes.isEmpty || isPlainText { html += text } else { html += "<span class=\"\(classes)\">\(text)</span>" }
            text = ""
        }
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let s = scalars[i]
            if s == "\u{1B}" {
                let (end, parameters, final) = Self.sequence(scalars, from: i)
                if final == "m", let parameters {
                    apply(parameters)
                    if style != open {
                        flush()
                        open = style
                    }
                }
                i = end
                continue
            }
            if isPlainText {
                if s.value >= 0x20 || s == "\t" { text.unicodeScalars.append(s) }
            } else {
                Self.escape(s, into: &text)
            }
            i = scalars.index(after: i)
        }
        flush()
        return html
    }

    /// Reads the escape sequence at `start` (an ESC): where it ends, its numeric parameters
    /// when it is a well-formed CSI, and its final character. A lone ESC or a cut sequence
    /// ends at once (it is dropped).
    private static func sequence(_ s: ArraySlice<Unicode.Scalar>, from start: Int) -> (Int, [Int]?, Unicode.Scalar?) {
        let next = start + 1
        guard next < s.endIndex, s[next] == "[" else {
            // Not a CSI: ESC, any intermediate bytes (the `(` of ESC(B) and one final
            // character, all dropped.
            var i = next
            while i < s.endIndex, (0x20...0x2F).contains(s[i].value), i - start <= maxSequence { i += 1 }
            return (min(i + 1, s.endIndex), nil, nil)
        }
        var i = next + 1
        var raw = ""
        while i < s.endIndex, i - start <= maxSequence {
            let c = s[i]
            if (0x40...0x7E).contains(c.value) {
                let numbers = raw.isEmpty ? [0] : raw.split(separator: ";", omittingEmptySubsequences: false).map { Int($0.isEmpty ? "0" : $0) }
                let ok = numbers.allSatisfy { $0 != nil } && raw.allSatisfy { $0.isNumber || $0 == ";" }
                return (i + 1, ok ? numbers.map { min($0!, 1 << 20) } : nil, c)
            }
            guard (0x20...0x3F).contains(c.value) else { return (i, nil, nil) }  // not a CSI byte: malformed
            raw.unicodeScalars.append(c)
            i += 1
        }
        return (i, nil, nil)
    }

    /// Applies SGR parameters to the style.
    private mutating func apply(_ p: [Int]) {
        var i = 0
        while i < p.count {
            let code = p[i]
            switch code {
            case 0: style = Style()
            case 1: style.isBold = true
            case 2: style.isFaint = true
            case 3: style.isItalic = true
            case 4: style.isUnderlined = true
            case 22: style.isBold = false; style.isFaint = false
            case 23: style.isItalic = false
            case 24: style.isUnderlined = false
            case 30...37: style.foreground = code - 30
            case 39: style.foreground = nil
            case 40...47: style.background = code - 40
            case 49: style.background = nil
            case 90...97: style.foreground = code - 90 + 8
            case 100...107: style.background = code - 100 + 8
            case 38, 48:
                let (colour, used) = Self.extendedColour(p, at: i + 1)
                if let colour {
                    if code == 38 { style.foreground = colour } else { style.background = colour }
                }
                i += used
            default: break
            }
            i += 1
        }
    }

    /// `5;N` or `2;R;G;B` after a 38 or 48: the colour (nil when malformed) and how many
    /// parameters it used.
    private static func extendedColour(_ p: [Int], at i: Int) -> (Int?, Int) {
        guard i < p.count else { return (nil, 0) }
        switch p[i] {
        case 5:
            guard i + 1 < p.count else { return (nil, 1) }
            return ((0...255).contains(p[i + 1]) ? p[i + 1] : nil, 2)
        case 2:
            guard i + 3 < p.count else { return (nil, p.count - i) }
            let rgb = (p[i + 1], p[i + 2], p[i + 3])
            guard [rgb.0, rgb.1, rgb.2].allSatisfy({ (0...255).contains($0) }) else { return (nil, 4) }
            return (nearest256(rgb.0, rgb.1, rgb.2), 4)
        default:
            return (nil, 1)
        }
    }

    /// The xterm-256 colour nearest an RGB one: the 6×6×6 cube or the grey ramp.
    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let steps = [0, 95, 135, 175, 215, 255]
        let (cr, cg, cb) = (level(r), level(g), level(b))
        let cube = 16 + 36 * cr + 6 * cg + cb
        let cubeDistance = dist(r, g, b, steps[cr], steps[cg], steps[cb])
        let average = (r + g + b) / 3
        let grey = average > 238 ? 23 : max(0, (average - 3) / 10)
        let greyValue = 8 + 10 * grey
        return dist(r, g, b, greyValue, greyValue, greyValue) < cubeDistance ? 232 + grey : cube
    }

    private static func dist(_ a: Int, _ b: Int, _ c: Int, _ x: Int, _ y: Int, _ z: Int) -> Int {
        (a - x) * (a - x) + (b - y) * (b - y) + (c - z) * (c - z)
    }

    private static func escape(_ s: Unicode.Scalar, into text: inout String) {
        switch s {
        case "<": text += "&lt;"
        case ">": text += "&gt;"
        case "&": text += "&amp;"
        case "\"": text += "&quot;"
        case "'": text += "&#39;"
        default:
            // Other control characters (BEL, backspace) would be invisible noise.
            if s.value < 0x20 && s != "\t" { return }
            text.unicodeScalars.append(s)
        }
    }
}
