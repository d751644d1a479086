// No native extractor: msgpackr checks for one and uses its JavaScript implementation without it.
module.exports = null;
