import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * What the Designer's forms know beyond a step's input: the tenant (for the expression preview),
 * the chosen sample payload (null: none) and the tenant's objects with their columns (null until
 * loaded). Provided by designer-view.jsx; forms outside the Designer get the empty default.
 */
export const SampleContext = createContext({ tenantId: null, sample: null, objects: null });

export const useSampleContext = () => useContext(SampleContext);
