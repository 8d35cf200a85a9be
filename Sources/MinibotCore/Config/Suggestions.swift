/// "Did you mean …?" for configuration messages: the closest known word to a misspelt one.
///
/// Pure and small on purpose: every checker (the master's, a plugin's, the agent's) calls it
/// when a key, a name or a word is not one it knows.
public enum Suggestions {
    /// The optimal-string-alignment distance between `a` and `b`, ignoring case: insertions,
    /// deletions, substitutions and swaps of two neighbours each cost 1, so the common typo
    /// `tree_stabel_timer` is one edit from `tree_stable_timer`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.lowercased()), t = Array(b.lowercased())
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }

    /// The candidate closest to `word`, when it is close enough to be a plausible typo
    /// (1 edit for words up to 4 letters, 2 up to 8, 3 beyond); ties go to the first candidate.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = word.count <= 4 ? 1 : word.count <= 8 ? 2 : 3
        var best: (word: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let d = distance(word, candidate)
            if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.word
    }

    /// The end of a message about an unknown `word`: `did you mean 'w1'?` when one candidate
    /// is close, otherwise the candidates after `label` (`known workers: w1, w2`), or
    /// `whenEmpty` when there are none.
    public static func hint(for word: String, among candidates: [String], label: String,
                            whenEmpty: String? = nil) -> String {
        if let near = closest(to: word, among: candidates) { return "did you mean '\(near)'?" }
        if candidates.isEmpty { return whenEmpty ?? "there are no \(label)" }
        return "\(label): " + candidates.joined(separator: ", ")
    }
}
