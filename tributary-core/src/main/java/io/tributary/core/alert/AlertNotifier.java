package io.tributary.core.alert;

import java.io.IOException;

/** Delivers alert events to one receiver. */
public interface AlertNotifier {
  /** The receiver's name for logs; never its address, which may hold a token. */
  String name();

  /**
   * Sends one event; returns when the receiver accepted it.
   *
   * @throws IOException when it did not, so delivery is tried again later
   */
  void send(AlertEvent event) throws IOException, InterruptedException;
}
