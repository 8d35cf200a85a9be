// The flat `{"type": "...", field: ...}` encoding of the contract's enums. Synthesized enum
// Codable would nest payloads under the case name with `_0` keys, which is awkward for the
// non-Swift clients (socat, scripts) that a local socket invites.

private enum TypeKey: String, CodingKey {
    case type
}

extension AgentRequest: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "hello": self = .hello(try Hello(from: decoder))
        case "subscribe": self = .subscribe(try Subscribe(from: decoder))
        case "withdraw": self = .withdraw(try Withdraw(from: decoder))
        case "claim": self = .claim(try Claim(from: decoder))
        case "decline": self = .decline(try Decline(from: decoder))
        case "renew": self = .renew(try LeaseRef(from: decoder))
        case "release": self = .release(try LeaseRef(from: decoder))
        case "reregister": self = .reregister(try Reregister(from: decoder))
        case "status": self = .status(try StatusQuery(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [TypeKey.type], debugDescription: "unknown request type \(type)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        switch self {
        case .hello(let m): try container.encode("hello", forKey: .type); try m.encode(to: encoder)
        case .subscribe(let m): try container.encode("subscribe", forKey: .type); try m.encode(to: encoder)
        case .withdraw(let m): try container.encode("withdraw", forKey: .type); try m.encode(to: encoder)
        case .claim(let m): try container.encode("claim", forKey: .type); try m.encode(to: encoder)
        case .decline(let m): try container.encode("decline", forKey: .type); try m.encode(to: encoder)
        case .renew(let m): try container.encode("renew", forKey: .type); try m.encode(to: encoder)
        case .release(let m): try container.encode("release", forKey: .type); try m.encode(to: encoder)
        case .reregister(let m): try container.encode("reregister", forKey: .type); try m.encode(to: encoder)
        case .status(let m): try container.encode("status", forKey: .type); try m.encode(to: encoder)
        }
    }
}

extension AgentEvent: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "welcome": self = .welcome(try Welcome(from: decoder))
        case "ok": self = .ok(try Ok(from: decoder))
        case "refused": self = .refused(try Refused(from: decoder))
        case "waiting": self = .waiting(try Waiting(from: decoder))
        case "offer": self = .offer(try Offer(from: decoder))
        case "offerWithdrawn": self = .offerWithdrawn(try OfferWithdrawn(from: decoder))
        case "lease": self = .lease(try Granted(from: decoder))
        case "renewed": self = .renewed(try Renewed(from: decoder))
        case "leaseExpired": self = .leaseExpired(try LeaseExpired(from: decoder))
        case "status": self = .status(try StatusReply(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [TypeKey.type], debugDescription: "unknown event type \(type)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        switch self {
        case .welcome(let m): try container.encode("welcome", forKey: .type); try m.encode(to: encoder)
        case .ok(let m): try container.encode("ok", forKey: .type); try m.encode(to: encoder)
        case .refused(let m): try container.encode("refused", forKey: .type); try m.encode(to: encoder)
        case .waiting(let m): try container.encode("waiting", forKey: .type); try m.encode(to: encoder)
        case .offer(let m): try container.encode("offer", forKey: .type); try m.encode(to: encoder)
        case .offerWithdrawn(let m): try container.encode("offerWithdrawn", forKey: .type); try m.encode(to: encoder)
        case .lease(let m): try container.encode("lease", forKey: .type); try m.encode(to: encoder)
        case .renewed(let m): try container.encode("renewed", forKey: .type); try m.encode(to: encoder)
        case .leaseExpired(let m): try container.encode("leaseExpired", forKey: .type); try m.encode(to: encoder)
        case .status(let m): try container.encode("status", forKey: .type); try m.encode(to: encoder)
        }
    }
}
