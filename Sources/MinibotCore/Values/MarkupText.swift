/// Text made safe inside HTML or XML (SVG, CCTray) elements and quoted attributes: the one
/// escaping rule of the web pages, the badges and the simulator's picture.
public enum MarkupText {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(c)
            }
        }
        return escaped
    }
}
