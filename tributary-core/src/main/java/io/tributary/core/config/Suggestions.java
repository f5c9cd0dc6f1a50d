package io.tributary.core.config;

import java.util.Collection;
import java.util.Optional;

/** Finds the known name a misspelt one was most likely meant to be. */
final class Suggestions {
  private static final int MAX_DISTANCE = 2;

  private Suggestions() {}

  static Optional<String> closest(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(name, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (best != null && bestDistance <= MAX_DISTANCE && bestDistance <= name.length() / 2) {
      return Optional.of(best);
    }
    // "username" for "user", "pass" for "password": a prefix is a likelier intent than anything far away.
    return known.stream()
        .filter(candidate -> name.length() >= 3 && (candidate.startsWith(name) || name.startsWith(candidate)))
        .findFirst();
  }

  /** Edit distance counting an adjacent transposition ("hots" for "host") as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
