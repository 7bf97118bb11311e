// Fills in the "ids" of a cases file with what Hugging Face's tokenizers library encodes, so that the Java tests
// compare against the reference implementation rather than against expectations written by hand. Not run by the
// build; rerun it when a fixture or a case changes:
//   npm install tokenizers@0.23.2   (in any scratch folder, then run with NODE_PATH=that/node_modules)
//   node hf-oracle.js deepseek-v3-mini.json deepseek-v3-mini.cases.json
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

async function main() {
  const [tokenizerFile, casesFile] = process.argv.slice(2);
  const tokenizer = Tokenizer.fromFile(tokenizerFile);
  const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
  for (const c of cases) {
    const encoding = await tokenizer.encode(c.text, null, { addSpecialTokens: false });
    c.ids = encoding.getIds();
  }
  fs.writeFileSync(casesFile, '[\n' + cases.map((c) => ' ' + JSON.stringify(c)).join(',\n') + '\n]\n');
}

main();
