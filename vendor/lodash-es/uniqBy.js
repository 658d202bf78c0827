export { uniqBy as default } from './lodash.js';
