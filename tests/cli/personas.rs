//! `persona personas`: every command, bad inputs with their exit codes, and the YAML round trips.
