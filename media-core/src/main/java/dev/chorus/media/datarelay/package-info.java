/**
 * The room data relay (issue 14, docs/data-channels.md): participants send messages on a topic, the SFU delivers
 * them to every participant allowed to receive them, with the sender's participant id attached by the server.
 * Sans-IO and owned by the room's worker thread: SCTP/DCEP (packages {@code sctp}, {@code datachannel}) feed it
 * messages and drain its per-receiver queues; it holds no socket, thread or clock.
 */
package dev.chorus.media.datarelay;
