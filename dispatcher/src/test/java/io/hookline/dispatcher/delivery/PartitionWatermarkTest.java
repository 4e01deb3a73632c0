package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionWatermarkTest {
    private final PartitionWatermark watermark = new PartitionWatermark();

    @Test
    void commitsThePositionWhenNothingIsPendingAndTheOldestUnfinishedOffsetOtherwise() {
        assertThat(watermark.committable(0)).isZero();
        watermark.track(10);
        watermark.track(11);
        watermark.track(12);
        assertThat(watermark.committable(13)).isEqualTo(10);

        watermark.complete(11);
        assertThat(watermark.committable(13)).isEqualTo(10);
        watermark.complete(12);
        assertThat(watermark.committable(13)).isEqualTo(10);
        watermark.complete(10);
        assertThat(watermark.committable(13)).isEqualTo(13);
        assertThat(watermark.outstanding()).isZero();
    }

    @Test
    void skipsGapsSuchAsTransactionMarkers() {
        watermark.track(5);
        watermark.track(7); // 6 was a commit marker
        watermark.track(9);
        watermark.complete(5);
        assertThat(watermark.committable(10)).isEqualTo(7);
        watermark.complete(9);
        assertThat(watermark.committable(10)).isEqualTo(7);
        watermark.complete(7);
        assertThat(watermark.committable(11)).isEqualTo(11);
    }

    @Test
    void ignoresUnknownAndRepeatedCompletions() {
        watermark.track(1);
        watermark.track(2);
        watermark.complete(3);
        watermark.complete(0);
        watermark.complete(2);
        watermark.complete(2);
        assertThat(watermark.outstanding()).isEqualTo(1);
        assertThat(watermark.lowestUnfinished()).isEqualTo(1);
    }

    @Test
    void rejectsOffsetsOutOfOrder() {
        watermark.track(4);
        assertThatThrownBy(() -> watermark.track(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> watermark.track(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void agreesWithABruteForceModelUnderRandomCompletionOrderAcrossGrowthAndWrapAround() {
        Random random = new Random(42);
        List<Long> open = new ArrayList<>();
        long next = 0;
        for (int round = 0; round < 200; round++) {
            int add = random.nextInt(300);
            for (int i = 0; i < add; i++) {
                next += 1 + random.nextInt(3);
                watermark.track(next);
                open.add(next);
            }
            Collections.shuffle(open, random);
            int finish = random.nextInt(open.size() + 1);
            for (int i = 0; i < finish; i++) {
                watermark.complete(open.remove(open.size() - 1));
            }
            long expected = open.isEmpty() ? next + 1 : Collections.min(open);
            assertThat(watermark.committable(next + 1)).isEqualTo(expected);
            assertThat(watermark.outstanding()).isEqualTo(open.size());
        }
    }
}
