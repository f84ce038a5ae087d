import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { tokenStoreContract } from './token-store.contract.js';

tokenStoreContract('memory', async () => ({ store: new MemoryTokenStore() }));
