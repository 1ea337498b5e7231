//! Incremental decoder. TO BE IMPLEMENTED (see docs/ARCHITECTURE.md).
