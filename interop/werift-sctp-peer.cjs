// A real SCTP stack (werift-sctp, pure TypeScript, a port of aiortc/pion) over UDP on loopback, for
// WeriftSctpInteropTest (media-core). Usage: node werift-sctp-peer.cjs <client|server> <java-port>
// Prints "PORT <n>" once bound and "FIRST <hex>" with the first packet it sends. Answers DATA_CHANNEL_OPEN with
// DATA_CHANNEL_ACK, echoes user messages on the same stream and PPID, resets its outgoing stream when told
// "reset-me", shuts down when told "shutdown", and exits when the association closes (or after 60 s).
const dgram = require("dgram");
const { SCTP, createUdpTransport } = require("werift-sctp");

const [mode, javaPort] = [process.argv[2], Number(process.argv[3])];
const socket = dgram.createSocket("udp4");
setTimeout(() => process.exit(3), 60_000).unref();

socket.bind(0, "127.0.0.1", async () => {
  const transport = createUdpTransport(socket, { port: javaPort, address: "127.0.0.1" });
  const send = transport.send;
  let first = true;
  transport.send = (buf) => {
    if (first) {
      first = false;
      console.log("FIRST " + Buffer.from(buf).toString("hex"));
    }
    return send(buf);
  };
  const sctp = mode === "client" ? SCTP.client(transport) : SCTP.server(transport);
  sctp.onReceive.subscribe(async (stream, ppid, data) => {
    if (ppid === 50 && data[0] === 0x03) {
      await sctp.send(stream, 50, Buffer.from([0x02]));
    } else if (ppid === 51 && data.toString() === "reset-me") {
      sctp.reconfigQueue.push(stream);
      await sctp.transmitReconfigRequest();
    } else if (ppid === 51 && data.toString() === "shutdown") {
      await sctp.stop();
    } else {
      await sctp.send(stream, ppid, data);
    }
  });
  sctp.onReconfigStreams.subscribe((streams) => console.log("RESET " + streams.join(",")));
  sctp.stateChanged.connected.subscribe(() => console.log("CONNECTED"));
  sctp.stateChanged.closed.subscribe(() => {
    console.log("CLOSED");
    setTimeout(() => process.exit(0), 100);
  });
  console.log("PORT " + socket.address().port);
  await sctp.start(5000);
});
