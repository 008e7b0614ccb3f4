import { CheckLookupsStep } from './check-lookups.step.js';
import { ConvertValuesStep } from './convert-values.step.js';
import { CreateRecordStep } from './create-record.step.js';
import { MapParametersStep } from './map-parameters.step.js';
import { ResolveObjectStep } from './resolve-object.step.js';

/** Every step type of the engine. A new step type is one file plus one line here. */
export const STEP_TYPES = [ResolveObjectStep, MapParametersStep, ConvertValuesStep, CheckLookupsStep, CreateRecordStep];
