package dev.chorus.media.srtp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SrtpAuthFailureAlarmTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;

    @Test
    void failuresUpToTheThresholdWithinAWindowRaiseNoAlarm() {
        SrtpAuthFailureAlarm alarm = new SrtpAuthFailureAlarm(5, 10 * S, 60 * S);
        for (int i = 0; i < 5; i++) assertThat(alarm.onFailure(i * MS)).isFalse();
        assertThat(alarm.failuresInWindow()).isEqualTo(5);
    }

    @Test
    void theFailureThatCrossesTheThresholdRaisesTheAlarmOnce() {
        SrtpAuthFailureAlarm alarm = new SrtpAuthFailureAlarm(5, 10 * S, 60 * S);
        int alarms = 0;
        for (int i = 0; i < 1_000; i++) if (alarm.onFailure(i * MS)) alarms++;
        assertThat(alarms).as("a flood of 1000 failures within one second").isEqualTo(1);
        assertThat(alarm.totalFailures()).isEqualTo(1_000);
    }

    @Test
    void failuresSpreadOverManyWindowsNeverAlarm() {
        SrtpAuthFailureAlarm alarm = new SrtpAuthFailureAlarm(5, 10 * S, 60 * S);
        for (int i = 0; i < 100; i++) assertThat(alarm.onFailure(i * 3 * S)).isFalse(); // ~3-4 per 10 s window
        assertThat(alarm.totalFailures()).isEqualTo(100);
    }

    @Test
    void aFloodThatGoesOnAlarmsAgainOnlyAfterTheQuietPeriod() {
        SrtpAuthFailureAlarm alarm = new SrtpAuthFailureAlarm(5, 10 * S, 60 * S);
        int alarms = 0;
        long firstAgain = -1;
        for (long t = 0; t < 130 * S; t += 100 * MS) { // 10 failures a second for 130 s
            if (alarm.onFailure(t)) {
                alarms++;
                if (alarms == 2) firstAgain = t;
            }
        }
        assertThat(alarms).isEqualTo(3); // at ~0.5 s, ~60.5 s and ~120.5 s
        assertThat(firstAgain).isGreaterThanOrEqualTo(60 * S);
    }

    @Test
    void aNewBurstAfterAQuietPeriodAlarmsAgain() {
        SrtpAuthFailureAlarm alarm = new SrtpAuthFailureAlarm(2, S, 30 * S);
        assertThat(alarm.onFailure(0)).isFalse();
        assertThat(alarm.onFailure(1)).isFalse();
        assertThat(alarm.onFailure(2)).isTrue();
        assertThat(alarm.onFailure(40 * S)).isFalse();
        assertThat(alarm.onFailure(40 * S + 1)).isFalse();
        assertThat(alarm.onFailure(40 * S + 2)).isTrue();
    }

    @Test
    void nonsensicalSettingsAreRefused() {
        assertThatThrownBy(() -> new SrtpAuthFailureAlarm(0, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SrtpAuthFailureAlarm(1, 0, S)).isInstanceOf(IllegalArgumentException.class);
    }
}
