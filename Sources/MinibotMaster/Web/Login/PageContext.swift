import Mustache

/// What every template sees besides its page's view model: who is logged in, with the CSRF
/// token their forms carry (`{{#session}}<input name="csrf" value="{{csrf}}">{{/session}}`),
/// and the notice of their last action. Templates reach `session` from inside any section,
/// as Mustache looks names up through the context stack down to this.
struct PageContext: MustacheParent {
    /// The logged-in person, as the templates read it.
    struct SessionView: Sendable {
        var user: String
        var csrf: String
    }

    let page: Any
    let session: SessionView?
    let notice: String?
    /// This page's path and query: where a form on it comes back to.
    let back: String

    /// `/login?next=…` back to this page.
    var loginLink: String { "/login?next=" + WebFormat.component(back) }

    func child(named name: String) -> Any? {
        switch name {
        case "session": return session
        case "notice": return notice
        case "back": return back
        case "loginLink": return loginLink
        default:
            if let parent = page as? any MustacheParent { return parent.child(named: name) }
            guard let value = Mirror(reflecting: page).children.first(where: { $0.label == name })?.value else { return nil }
            // An optional property is its value or nothing, as Mustache's own lookup gives it.
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return value }
            return mirror.children.first?.value
        }
    }
}
