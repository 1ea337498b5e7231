//! Attribute registry. TO BE IMPLEMENTED.
