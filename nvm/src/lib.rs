//! The Crease virtual machine.
