export { flatMap as default } from './lodash.js';
