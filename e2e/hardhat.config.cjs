// The local EVM chain of the tests and `scripts/run`: Hardhat's in-memory
// node, chain id 31337, with its own well-known funded accounts.
module.exports = { networks: { hardhat: { chainId: 31337 } } };
