import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { StepRegistry } from '../engine/step-registry.js';
import { StepTypeDto } from './dto.js';

/**
 * The step types processes may use, with the JSON Schema each one's input is validated with when a
 * definition is saved: what an editor offers and checks, from the same source as the server.
 */
@ApiTags('processes')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@Controller('api')
export class StepTypesController {
  constructor(private readonly registry: StepRegistry) {}

  @Get('step-types')
  @RequireScope('processes:read')
  @ApiOperation({ summary: 'The registered step types (built in and from STEP_TYPE_MODULES): type, description, input schema, nested step lists' })
  @ApiOkResponse({ type: [StepTypeDto] })
  list(): StepTypeDto[] {
    return this.registry
      .all()
      .map(({ type, description, inputSchema, branches }) => ({ type, description, inputSchema, branches: [...(branches ?? []), 'onError'] }));
  }
}
