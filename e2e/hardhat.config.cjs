// The local EVM chain of the tests and `scripts/run`: Hardhat's in-memory
// node, chain id 31337 (another where SIGIL_HARDHAT_CHAIN_ID says, for a
// second chain), with its own well-known funded accounts.
module.exports = { networks: { hardhat: { chainId: Number(process.env.SIGIL_HARDHAT_CHAIN_ID ?? 31337) } } };
