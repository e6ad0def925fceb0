import { MemoryStore } from '../src/store/memory-store.js';
import { ContractStore } from './memory-store.js';
import { storeContract } from './store-contract.js';

storeContract('the API server MemoryStore', () => new MemoryStore());
storeContract('the runtime test double', () => new ContractStore());
