//! Encoder. TO BE IMPLEMENTED.
