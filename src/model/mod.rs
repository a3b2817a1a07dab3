//! The fleet model (placeholder until it lands).
