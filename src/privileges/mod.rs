//! Privilege dropping: capabilities, securebits, ids, rlimits, descriptors.
