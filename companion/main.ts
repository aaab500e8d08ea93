// Composition root placeholder; replaced by the CLI in the foundation work.
console.log('stipple');
