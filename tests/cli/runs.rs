//! `persona runs`: list, get, cancel, and tail (replay, follow, filters, reconnection).
