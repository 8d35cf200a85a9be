import MinibotCore
import MinibotProtocol
import NIOCore
import Testing

@Suite("Output frames")
struct OutputFrameTests {
    @Test func roundTripsEveryStreamAndUnicode() throws {
        for stream in [LogStream.stdout, .stderr, .header] {
            let output = WorkerMessage.StepOutput(buildID: 1 << 40, step: 7, stream: stream, text: "héllo ✓\nline 2\n")
            let decoded = try #require(OutputFrame.decode(OutputFrame.encode(output)))
            #expect(decoded == output)
        }
    }

    @Test func rejectsShortOrForeignFrames() {
        #expect(OutputFrame.decode(ByteBuffer(bytes: [0x4F, 0, 1])) == nil)
        #expect(OutputFrame.decode(ByteBuffer(bytes: Array(repeating: 0x41, count: 20))) == nil)
        var unknownStream = OutputFrame.encode(.init(buildID: 1, step: 0, stream: .stdout, text: "x"))
        unknownStream.setInteger(UInt8(ascii: "z"), at: 13)
        #expect(OutputFrame.decode(unknownStream) == nil)
    }
}
