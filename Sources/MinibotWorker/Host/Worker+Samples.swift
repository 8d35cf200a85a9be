import Foundation
import MinibotHostFacts
import MinibotProtocol

extension Worker {
    /// Records one load sample every ``WorkerConfiguration/samplesInterval`` into the flight
    /// recorder file until cancelled; returns at once without a file. Samples are taken just
    /// after each interval boundary, so each lands in its own slot.
    nonisolated func recordSamples() async {
        guard let path = configuration.samplesFile else { return }
        let recorder: FlightRecorder
        do {
            recorder = try FlightRecorder.open(path: path, interval: configuration.samplesInterval)
        } catch {
            logger.error("not recording load samples: \(error)")
            return
        }
        logger.info("recording load samples in \(path)")
        let reader = configuration.loadReader
        let interval = Double(recorder.header.interval)
        var lastError: String?
        while !Task.isCancelled {
            do {
                try recorder.record(try reader.read(at: Date()))
                lastError = nil
            } catch {
                // Once per failure streak, as for the load report.
                let text = "\(error)"
                if lastError != text { logger.warning("cannot record a load sample: \(text)") }
                lastError = text
            }
            let now = Date().timeIntervalSince1970
            let next = ((now / interval).rounded(.down) + 1) * interval
            // Within (0, interval] by construction; held there anyway before it becomes an integer.
            let wait = min(max(next - now, 0), interval) * 1000
            guard (try? await Task.sleep(for: .milliseconds(Int64(wait.rounded()) + 1))) != nil else { return }
        }
    }

    /// Answers the master's `fetchSamples` with pages read from the recorder file.
    nonisolated func sendSamples(_ request: FetchSamples, link: WorkerLink) async {
        let pages: [SamplesPage]
        if let path = configuration.samplesFile {
            do {
                let samples = try FlightRecorder.samples(inFile: path, since: Date(timeIntervalSince1970: Double(request.since)),
                                                         until: Date(timeIntervalSince1970: Double(request.until)))
                pages = SamplesPage.pages(id: request.id, interval: Int(configuration.samplesInterval), samples: samples)
            } catch {
                pages = [SamplesPage(id: request.id, interval: Int(configuration.samplesInterval), rows: [], isLast: true,
                                     error: "\(error)")]
            }
        } else {
            pages = [SamplesPage(id: request.id, interval: 0, rows: [], isLast: true,
                                 error: "this worker keeps no flight recorder (started with --samples-file none)")]
        }
        for page in pages {
            guard (try? await link.send(.samples(page))) != nil else { return }
        }
    }
}
