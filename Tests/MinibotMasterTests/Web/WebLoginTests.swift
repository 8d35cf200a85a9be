import Foundation
import MinibotCore
@testable import MinibotMaster
import Testing

/// Issue 15: the web login's pure parts: forms, sessions, the login decision, safe redirects,
/// cookies, and the pages' forms with and without a session.
@Suite struct WebLoginTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func formsDecodeAsBrowsersSendThem() {
        let form = WebForm(Data("user=anna+b&password=p%26w%3D1&worker=a&worker=b%2Fc&empty=&flag&bad=%zz%4".utf8))
        #expect(form["user"] == "anna b")
        #expect(form["password"] == "p&w=1")
        #expect(form.all("worker") == ["a", "b/c"])
        #expect(form["empty"] == "" && form.text("empty") == nil)
        #expect(form["flag"] == "")
        #expect(form["bad"] == "%zz%4")
        #expect(form["missing"] == nil)
        #expect(WebForm(Data("a=%FF%FE".utf8))["a"] == "\u{FFFD}\u{FFFD}")
        let many = WebForm(Data(String(repeating: "x=1&", count: 5000).utf8))
        #expect(many.all("x").count == WebForm.maxFields)
    }

    @Test func sessionsExpireAndStayBounded() {
        var table = WebSessionTable(capacity: 2)
        let a = table.open(user: "anna", id: "a", csrf: "ca", now: t0, lifetime: 60)
        #expect(table.find("a", now: t0.addingTimeInterval(59), lifetime: 60) == WebSession(id: "a", user: "anna", csrf: "ca",
                                                                                             lastUsed: t0.addingTimeInterval(59)))
        // Each use moves the expiry: 59 s after the last use it still lives.
        #expect(table.find("a", now: t0.addingTimeInterval(118), lifetime: 60)?.user == a.user)
        #expect(table.find("a", now: t0.addingTimeInterval(178), lifetime: 60) == nil)
        #expect(table.find("a", now: t0.addingTimeInterval(179), lifetime: 600) == nil, "an expired session is forgotten")
        _ = table.open(user: "b", id: "b", csrf: "cb", now: t0, lifetime: 600)
        _ = table.open(user: "c", id: "c", csrf: "cc", now: t0.addingTimeInterval(1), lifetime: 600)
        _ = table.open(user: "d", id: "d", csrf: "cd", now: t0.addingTimeInterval(2), lifetime: 600)
        #expect(table.sessions.count == 2)
        #expect(table.find("b", now: t0.addingTimeInterval(3), lifetime: 600) == nil, "the least recently used went first")
        table.note("c", "Build 3 stopped.")
        #expect(table.takeNotice("c") == "Build 3 stopped.")
        #expect(table.takeNotice("c") == nil)
        table.close("c")
        #expect(table.find("c", now: t0.addingTimeInterval(3), lifetime: 600) == nil)
    }

    @Test func theLoginDecision() async {
        let users = [WebUser(name: "anna", passwordHash: "H")]
        let verify: (String, String) async -> Bool = { password, hash in password == "right" && hash == "H" }
        func check(_ name: String, _ password: String, token: String? = "tok") async -> WebLogin.Outcome {
            await WebLogin.check(name: name, password: password, adminToken: token, users: users, verify: verify)
        }
        #expect(await check("anna", "right") == .user("anna"))
        #expect(await check(" anna ", "right") == .user("anna"))
        #expect(await check("anna", "wrong") == .refused(WebLogin.refusal))
        #expect(await check("bob", "right") == .refused(WebLogin.refusal), "an unknown name reads as a wrong password")
        #expect(await check("admin", "tok") == .user("admin"))
        #expect(await check("", "tok") == .user("admin"))
        #expect(await check("admin", "tok2") == .refused(WebLogin.refusal))
        #expect(await check("admin", "") == .refused(WebLogin.refusal))
        guard case .refused(let why) = await check("admin", "tok", token: nil) else { Issue.record("no token, no admin"); return }
        #expect(why.contains("no admin token"))
        #expect(await check("anna", String(repeating: "x", count: 5000)) == .refused(WebLogin.refusal))
    }

    @Test func bcryptHashesVerify() async {
        let hash = WebPassword.hash("s3cret", cost: 4)
        #expect(WebUser.hashProblem(hash) == nil)
        #expect(await WebPassword.verify("s3cret", hash: hash))
        #expect(await !WebPassword.verify("s3cret!", hash: hash))
        // htpasswd writes $2y$: the same algorithm.
        #expect(await WebPassword.verify("s3cret", hash: "$2y$" + hash.dropFirst(4)))
        #expect(await !WebPassword.verify("s3cret", hash: "garbage"))
    }

    @Test func redirectsStayOnThisSite() {
        #expect(WebActionRoutes.localPath("/builds/3?x=1#L2") == "/builds/3?x=1#L2")
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "", "/a\r\nSet-Cookie: x"] {
            #expect(WebActionRoutes.localPath(bad) == nil, "\(bad)")
        }
    }

    @Test func cookiesNameOnlyOurTokens() {
        let token = WebSessions.randomToken()
        #expect(token.utf8.count == 64 && token != WebSessions.randomToken())
        #expect(WebSessions.cookie("minibot_session", in: ["a=b; minibot_session=\(token); c=d"]) == token)
        #expect(WebSessions.cookie("minibot_session", in: ["minibot_session=short"]) == nil)
        #expect(WebSessions.cookie("minibot_session", in: ["other=\(token)"]) == nil)
        let set = WebSessions.setCookie(token, secure: false, lifetime: 3600)
        #expect(set == "minibot_session=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=3600")
        #expect(WebSessions.setCookie(nil, secure: true, lifetime: 0).hasSuffix("Max-Age=0; Secure"))
    }

    @Test func formsAppearOnlyForSomeoneLoggedInAndCarryTheToken() {
        let model = BuildPage.make(title: "t", build: Build(id: 7, number: 7, builderName: "b", buildRequestID: 1, workerName: "w",
                                                            startedAt: t0, completedAt: t0.addingTimeInterval(5), results: .success,
                                                            stateString: "done"),
                                   steps: [], request: nil, changes: [], logs: [:], now: t0)
        func render(_ session: PageContext.SessionView?) -> String {
            WebTemplates.library.render(PageContext(page: model, session: session, notice: nil, back: "/builds/7?a=<b>"),
                                        withTemplate: "build") ?? ""
        }
        let anonymous = render(nil)
        #expect(!anonymous.contains("<form") && !anonymous.contains("csrf"))
        let html = render(.init(user: "anna", csrf: "TOKEN\"<x>"))
        #expect(html.contains("action=\"/actions/builds/7/rebuild\""))
        #expect(!html.contains("/actions/builds/7/stop"), "a finished build has no stop button")
        #expect(html.contains("name=\"csrf\" value=\"TOKEN&quot;&lt;x&gt;\""))
        #expect(html.contains("name=\"back\" value=\"/builds/7?a=&lt;b&gt;\""))
    }
}
