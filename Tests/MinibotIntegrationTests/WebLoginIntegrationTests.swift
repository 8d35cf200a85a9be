import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 15: logging in and acting from the pages of a real master with a real worker: a
/// named user with a bcrypt hash from `minibot hash-password`, the admin token, forms that
/// need the session's CSRF token, and `www.public: false`.
@Suite("Web login and actions", .serialized)
struct WebLoginIntegrationTests {
    @Test("a named user logs in, forces, stops, rebuilds, pauses and cancels from the pages; each is recorded as theirs")
    func aUserActsFromThePages() async throws {
        try await Scene.run("web-login") { scene in
            let hashed = try await scene.cli(["hash-password", "--cost", "10"], input: "anna's pw\n")
            #expect(hashed.status == 0, "\(hashed.stderr)")
            let hash = try #require(hashed.stdout.first)
            #expect(hash.hasPrefix("$2b$10$") && hash.count == 60)

            let gate = scene.path("gate")
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: wait, command: "\(waitForFileCommand(gate))"}
            """
            let www = "{port: 0, admin_token_file: admin.token, users: [{name: anna, password_hash: \"\(hash)\"}]}"
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"], www: www))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let browser = Browser(base: master.url)
            defer { Task { await browser.shutdown() } }

            // Not logged in: no forms, a login link, and a post is sent to the login page.
            let anonymous = try await browser.get("/builders/b")
            #expect(anonymous.status == 200 && anonymous.csrf == nil && !anonymous.text.contains("/actions/"))
            #expect(anonymous.text.contains("href=\"/login?next=%2Fbuilders%2Fb\""), "\(anonymous.text)")
            let blind = try await browser.post("/actions/builders/b/force", [("reason", "x")])
            #expect(blind.status == 303 && blind.location == "/login?next=%2Fbuilders%2Fb")

            // A wrong password is refused without saying which half was wrong.
            let wrong = try await browser.post("/login", [("user", "anna"), ("password", "nope"), ("next", "/builders/b")])
            #expect(wrong.status == 401 && wrong.text.contains("wrong user name or password") && browser.cookie == nil)

            let login = try await browser.post("/login", [("user", "anna"), ("password", "anna's pw"), ("next", "/builders/b")])
            #expect(login.status == 303 && login.location == "/builders/b")
            let cookie = try #require(login.setCookie)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("minibot_session="))
            let page = try await browser.get("/builders/b")
            #expect(page.text.contains("Logged in as anna.") && page.text.contains("id=\"user\">anna<"))
            let csrf = try #require(page.csrf)

            // Without the token, or from another site, the form changes nothing.
            let forged = try await browser.post("/actions/builders/b/force", [("reason", "forged")])
            #expect(forged.status == 403 && forged.text.contains("CSRF"))
            let crossSite = try await browser.post("/actions/builders/b/force", [("csrf", csrf)], origin: "http://evil.example")
            #expect(crossSite.status == 403)
            #expect(try await master.client.get("api/v2/buildrequests")["buildrequests"] == .array([]))

            let forced = try await browser.post("/actions/builders/b/force", [
                ("csrf", csrf), ("back", "/builders/b"), ("branch", "main"), ("priority", "3"),
                ("properties", "note=<i>hi</i>\nlevel = 2"),
            ])
            #expect(forced.status == 303 && forced.location == "/builders/b")
            let afterForce = try await browser.get("/builders/b")
            #expect(afterForce.text.contains("Forced b: request 1."), "\(afterForce.text)")
            let request = try await master.client.get("api/v2/buildrequests/1")["buildrequests"]
            guard case .array(let requests)? = request, let first = requests.first else { Issue.record("no request 1"); return }
            #expect(first["priority"]?.intValue == 3)
            #expect(first["properties"]?["owner"]?.stringValue == "anna")
            #expect(first["properties"]?["note"]?.stringValue == "<i>hi</i>" && first["properties"]?["level"]?.stringValue == "2")
            let buildID = MasterFixture.buildID(try await events.buildStarted(request: 1))

            // The running build's page has a stop button; stopping records who did it.
            let running = try await browser.get("/builds/\(buildID)")
            #expect(running.text.contains("/actions/builds/\(buildID)/stop") && !running.text.contains("/rebuild\""))
            let stopped = try await browser.post("/actions/builds/\(buildID)/stop", [("csrf", csrf), ("back", "/builds/\(buildID)")])
            #expect(stopped.status == 303)
            let finished = try await events.buildFinished(request: 1)
            #expect(finished["results"]?.intValue == BuildResult.cancelled.rawValue)
            let build = try await master.client.get("api/v2/builds/\(buildID)")["builds"]
            if case .array(let list)? = build { #expect(list.first?["state_string"]?.stringValue?.contains("stopped by anna") == true, "\(list)") }

            // Rebuild: the same properties, a reason naming the build and anna.
            let finishedPage = try await browser.get("/builds/\(buildID)")
            #expect(finishedPage.text.contains("Build \(buildID) stopped.") && finishedPage.text.contains("/actions/builds/\(buildID)/rebuild"))
            touch(gate)
            _ = try await browser.post("/actions/builds/\(buildID)/rebuild", [("csrf", csrf)])
            let rebuilt = try await events.buildFinished(request: 2)
            #expect(rebuilt["results"]?.intValue == BuildResult.success.rawValue)
            let second = try await master.client.get("api/v2/buildrequests/2")["buildrequests"]
            if case .array(let list)? = second {
                #expect(list.first?["reason"]?.stringValue == "rebuild of b #1 by anna")
                #expect(list.first?["properties"]?["note"]?.stringValue == "<i>hi</i>" && list.first?["priority"]?.intValue == 3)
            }

            // Pause w1 from the workers page (the reason says who), then cancel what waits.
            let paused = try await browser.post("/actions/workers", [("csrf", csrf), ("worker", "w1"), ("worker", "ghost"),
                                                                     ("action", "pause"), ("reason", "lunch")])
            #expect(paused.status == 303 && paused.location == "/workers")
            let workersPage = try await browser.get("/workers")
            #expect(workersPage.text.contains("Paused w1. Not done: ghost: no such worker."), "\(workersPage.text)")
            // The worker's own page has the same controls, for that worker alone.
            let own = try await browser.get("/workers/w1")
            #expect(own.text.contains("<input type=\"hidden\" name=\"worker\" value=\"w1\">") && own.text.contains("value=\"unpause\""))
            #expect(own.text.contains("name=\"back\" value=\"/workers/w1\""))
            let w1 = try await master.client.get("api/v2/workers/w1")["workers"]
            if case .array(let list)? = w1 { #expect(list.first?["pause_reason"]?.stringValue == "lunch (by anna)") }
            _ = try await browser.post("/actions/builders/b/force", [("csrf", csrf)])
            _ = try await events.requestWaiting(3, containing: "paused")
            let pending = try await browser.get("/pending")
            #expect(pending.text.contains("/actions/buildrequests/3/cancel"))
            _ = try await browser.post("/actions/buildrequests/3/cancel", [("csrf", csrf), ("back", "/pending")])
            #expect(try await browser.get("/pending").text.contains("Request 3 cancelled."))
            let third = try await master.client.get("api/v2/buildrequests/3")["buildrequests"]
            if case .array(let list)? = third { #expect(list.first?["complete"]?.boolValue == true) }

            // Logging out ends the session: its cookie no longer acts.
            let oldCookie = browser.cookie
            let out = try await browser.post("/logout", [("csrf", csrf)])
            #expect(out.status == 303 && out.setCookie?.contains("Max-Age=0") == true && browser.cookie == nil)
            let replayed = Browser(base: master.url)
            defer { Task { await replayed.shutdown() } }
            _ = try await replayed.post("/login", [("user", "admin"), ("password", master.token)])
            #expect(replayed.cookie != nil && replayed.cookie != oldCookie)
            #expect(try await replayed.get("/").text.contains("id=\"user\">admin<"))
        }
    }

    @Test("www.public: false: pages send the browser to log in, the API answers 401 without the token")
    func aPrivateMaster() async throws {
        try await Scene.run("web-private") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: ok, command: "true"}
            """
            let www = "{port: 0, admin_token_file: admin.token, public: false}"
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"], www: www))
            let browser = Browser(base: master.url)
            defer { Task { await browser.shutdown() } }
            let home = try await browser.get("/builders/b?page=0")
            #expect(home.status == 303 && home.location == "/login?next=%2Fbuilders%2Fb%3Fpage%3D0")
            #expect(try await browser.get("/login").status == 200)
            #expect(try await browser.get("/static/minibot.css").status == 200)
            let api = try await master.anonymous.sendRaw("GET", "api/v2/builds", body: nil)
            #expect(api.status == 401 && api.json["error"]?.stringValue?.contains("www.public: false") == true)
            #expect(try await master.anonymous.sendRaw("GET", "metrics", body: nil).status == 401)
            #expect(try await master.client.sendRaw("GET", "api/v2/builds", body: nil).status == 200)
            _ = try await browser.post("/login", [("user", "admin"), ("password", master.token)])
            let after = try await browser.get("/builders/b")
            #expect(after.status == 200 && after.text.contains("Builder b"))
        }
    }
}
