//! An example co-processor instruction.
