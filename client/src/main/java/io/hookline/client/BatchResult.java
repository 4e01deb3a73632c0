package io.hookline.client;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The per-item outcome of a batch publish, in the order of the events given. A batch is not all-or-nothing:
 * check {@link #allSucceeded()} or {@link #failed()}.
 */
public record BatchResult(String topic, List<BatchItemResult> results) {
    public BatchResult {
        results = List.copyOf(results);
    }

    public boolean allSucceeded() {
        return results.stream().allMatch(BatchItemResult::isSuccess);
    }

    public List<BatchItemResult> failed() {
        return results.stream().filter(r -> !r.isSuccess()).collect(Collectors.toUnmodifiableList());
    }

    /** The event ids of the stored items, in order (failed items are skipped). */
    public List<String> ids() {
        return results.stream().filter(BatchItemResult::isSuccess).map(BatchItemResult::id)
                .collect(Collectors.toUnmodifiableList());
    }

    public int size() {
        return results.size();
    }
}
