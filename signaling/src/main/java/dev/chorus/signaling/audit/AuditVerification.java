package dev.chorus.signaling.audit;

/**
 * Result of {@link AuditVerifier#verify}: either intact ({@code firstBrokenLine == 0}) with the chain head, or the
 * 1-based number of the first line that does not fit the chain and why.
 */
public record AuditVerification(long linesChecked, long firstBrokenLine, String problem, String headHash) {
    public boolean intact() {
        return firstBrokenLine == 0;
    }

    static AuditVerification ok(long lines, String head) {
        return new AuditVerification(lines, 0, null, head);
    }

    static AuditVerification broken(long lines, long line, String problem) {
        return new AuditVerification(lines, line, problem, null);
    }
}
