import MinibotCore

/// A flat status badge (`/badges/BUILDER.svg`): the builder's name and its last finished
/// result, text escaped for XML. Pure.
struct Badge: Sendable, Equatable {
    var label: String
    var result: BuildResult?

    var message: String { result?.name.lowercased() ?? "no builds" }

    var colour: String {
        switch result {
        case .success?: "#4c1"
        case .warnings?: "#dfb317"
        case .failure?: "#e05d44"
        case .exception?: "#9f4fc9"
        default: "#9f9f9f"
        }
    }

    var svg: String {
        // Verdana 11px is about 7 px per character: wide enough without measuring fonts.
        let left = 10 + 7 * label.count
        let right = 10 + 7 * message.count
        let l = WebFormat.escape(label), m = WebFormat.escape(message)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(left + right)" height="20" role="img" aria-label="\(l): \(m)">\
        <title>\(l): \(m)</title>\
        <rect width="\(left)" height="20" fill="#555"/><rect x="\(left)" width="\(right)" height="20" fill="\(colour)"/>\
        <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\
        <text x="\(left / 2)" y="14">\(l)</text><text x="\(left + right / 2)" y="14">\(m)</text></g></svg>
        """
    }
}
