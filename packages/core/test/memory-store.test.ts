import { MemoryStore } from '@kestrel/core';
import { runStoreContract } from '../../../test/support/store-contract.js';

runStoreContract('memory', { create: async () => new MemoryStore() });
