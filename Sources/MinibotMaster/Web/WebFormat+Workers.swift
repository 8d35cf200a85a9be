extension WebFormat {
    /// A worker's page (`/workers/NAME`, the name as one path component).
    static func workerLink(_ name: String) -> String { "/workers/\(component(name))" }
}
