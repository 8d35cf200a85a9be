@testable import MinibotMaster
import Testing

/// The whole answer to a refused stock-worker upgrade.
struct RefusedUpgradeTests {
    @Test func badCredentialsAre401WithABasicChallenge() {
        let text = RefusedUpgrade.response(.unauthorized)
        #expect(text.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(text.contains("\r\nWWW-Authenticate: Basic realm=\"minibot workers\"\r\n"))
        #expect(text.contains("\r\nContent-Length: 0\r\n") && text.contains("\r\nConnection: close\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func aDuplicateNameIs409() {
        let text = RefusedUpgrade.response(.conflict)
        #expect(text.hasPrefix("HTTP/1.1 409 Conflict\r\n"))
        #expect(!text.contains("WWW-Authenticate"))
        #expect(RefusedUpgrade.Status.conflict.code == 409 && RefusedUpgrade.Status.unauthorized.code == 401)
    }
}
