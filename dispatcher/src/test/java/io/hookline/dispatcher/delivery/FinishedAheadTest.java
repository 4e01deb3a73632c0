package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FinishedAheadTest {

    @Test
    void offsetsCompletedAboveTheWatermarkTravelAsRangesAndAreSkippedByTheNextOwner() {
        PartitionWatermark watermark = new PartitionWatermark();
        for (long offset = 100; offset < 120; offset++) {
            watermark.track(offset);
        }
        // 100 and 101 are queued (a slow subscription); later ones of another subscription are done, 110 is not.
        for (long offset = 102; offset < 120; offset++) {
            if (offset != 110) {
                watermark.complete(offset);
            }
        }
        long committed = watermark.committable(120);
        assertThat(committed).isEqualTo(100);
        String metadata = FinishedAhead.encode(committed, watermark.finishedAhead());
        assertThat(metadata).isEqualTo("fa1:2-9,11-19");

        FinishedAhead skip = FinishedAhead.decode(committed, metadata);
        assertThat(skip.count()).isEqualTo(17);
        List<Long> delivered = new ArrayList<>();
        for (long offset = 100; offset < 125; offset++) {
            if (!skip.contains(offset)) {
                delivered.add(offset);
            }
        }
        assertThat(delivered).containsExactly(100L, 101L, 110L, 120L, 121L, 122L, 123L, 124L);
    }

    @Test
    void nothingAheadIsAnEmptyMetadata() {
        PartitionWatermark watermark = new PartitionWatermark();
        watermark.track(5);
        watermark.track(6);
        watermark.complete(5);
        assertThat(FinishedAhead.encode(watermark.committable(7), watermark.finishedAhead())).isEmpty();
        watermark.complete(6);
        assertThat(FinishedAhead.encode(watermark.committable(7), watermark.finishedAhead())).isEmpty();
        assertThat(FinishedAhead.decode(7, "").count()).isZero();
    }

    @Test
    void aLongListIsCutAtTheSizeLimitAndWhatIsLeftOutIsRedelivered() {
        long[] everyOther = new long[5000];
        for (int i = 0; i < everyOther.length; i++) {
            everyOther[i] = 1_000_000 + 2L * i + 1;
        }
        String metadata = FinishedAhead.encode(1_000_000, everyOther);
        assertThat(metadata.length()).isLessThanOrEqualTo(FinishedAhead.MAX_CHARS);
        FinishedAhead skip = FinishedAhead.decode(1_000_000, metadata);
        assertThat(skip.count()).isBetween(500L, 4999L);
        assertThat(skip.contains(1_000_001)).isTrue();
        assertThat(skip.contains(1_000_000 + 2L * 4999 + 1)).as("left out for space").isFalse();
    }

    @Test
    void metadataThatIsNotOursSkipsNothing() {
        for (String foreign : new String[] {null, "", "some tool's note", "fa1:", "fa1:x", "fa1:0-3", "fa1:5-2",
                "fa1:4,3", "fa1:1-3,3"}) {
            FinishedAhead skip = FinishedAhead.decode(10, foreign);
            assertThat(skip.count()).as("%s", foreign).isZero();
            assertThat(skip.contains(11)).isFalse();
        }
    }
}
