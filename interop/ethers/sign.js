// Reads a refund file of the desk (JSON) on standard input and the refund
// payer's private key (hex) as the first argument; parses the unsigned
// EIP-1559 transaction it carries with ethers, signs it and prints the
// signed transaction as 0x-hex. It trusts nothing but the transaction.
const { Transaction, Wallet } = require("ethers");

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const file = JSON.parse(input);
  const unsigned = "0x" + Buffer.from(file.payout.unsigned, "base64").toString("hex");
  const tx = Transaction.from(unsigned);
  if (tx.type !== 2) throw new Error("not an EIP-1559 transaction: type " + tx.type);
  const wallet = new Wallet(process.argv[2]);
  process.stdout.write(await wallet.signTransaction(tx));
});
