package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one data test of a model: passed, or the number of failing rows with up to
 * {@link #SAMPLE_SIZE} of them; {@code error} when the test's query itself could not run.
 */
public record TestResult(
    String model, String test, boolean passed, long failingRows, List<List<Object>> sample, Optional<String> error) {
  public static final int SAMPLE_SIZE = 5;

  public TestResult {
    requireNonNull(model, "model is null");
    requireNonNull(test, "test is null");
    requireNonNull(sample, "sample is null");
    requireNonNull(error, "error is null");
    List<List<Object>> copy = new ArrayList<>(sample.size());
    // Rows may hold SQL NULLs, which List.copyOf rejects.
    sample.forEach(row -> copy.add(Collections.unmodifiableList(new ArrayList<>(row))));
    sample = Collections.unmodifiableList(copy);
    if (passed && (failingRows > 0 || error.isPresent())) {
      throw new IllegalArgumentException("Invalid result of test " + test + " of model " + model
          + ": passed with failing rows or an error");
    }
  }
}
