//! Certification: the BLS12-381 root key, certificates over hash trees of
//! the replica state, and the node key that signs query responses. (Stub.)
