package dev.chorus.signaling.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Assertions shared by the project-service tests. */
final class ServiceAssertions {
    private ServiceAssertions() {}

    /** {@code call} fails with a {@link ServiceException} carrying exactly {@code error}. */
    static void assertError(Runnable call, ServiceError error) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ServiceException.class,
                e -> assertThat(e.error()).isEqualTo(error));
    }
}
