"""Model factories: functions building compiled Keras models, registered by ``kind`` name.

Importing this package registers the factories; Keras itself is imported only
when a factory is called.
"""

from gordo.machine.model.factories import feedforward_autoencoder, lstm_autoencoder

__all__ = ["feedforward_autoencoder", "lstm_autoencoder"]
