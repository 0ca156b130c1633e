package dev.chorus.signaling.store;

/**
 * The head of the audit chain as anchored outside the log file: the id and hash of the last line the audit log
 * acknowledged. A log whose last id is smaller, or whose line with this id has another hash, was cut or rolled back.
 */
public record AuditHead(long lastId, String lastHash) {
}
