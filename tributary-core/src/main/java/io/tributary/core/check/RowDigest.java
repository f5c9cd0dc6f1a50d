package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One row as a side of a comparison reads it: the hash of its key, its key and column values in
 * canonical text (in the order of the compared columns), and the hash of the whole row.
 */
public record RowDigest(String keyHash, List<String> key, long rowHash, List<Optional<String>> values) {
  public RowDigest {
    requireNonNull(keyHash, "keyHash is null");
    key = List.copyOf(requireNonNull(key, "key is null"));
    values = Collections.unmodifiableList(new ArrayList<>(requireNonNull(values, "values is null")));
  }
}
