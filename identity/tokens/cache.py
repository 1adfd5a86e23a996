"""A bounded, thread-safe LRU whose entries hold for one value of a change counter."""
import collections
import threading


class GenerationCache:
    """Maps keys to values recorded at a counter value; a changed counter
    makes the entry a miss."""

    def __init__(self, size: int):
        self.size = size
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, generation: int):
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[0] != generation:
                return None
            self._items.move_to_end(key)
            return entry[1]

    def put(self, key, generation: int, value) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[key] = (generation, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
