import { Body, Controller, HttpCode, Param, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { ExpressionPreviewService, type ExpressionValue } from '../engine/expression-preview.service.js';
import { EvaluateExpressionDto } from './dto.js';

/** Expressions tried on a sample payload, for editors that show an expression's value as it is typed (the console's Designer). */
@ApiTags('processes')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId/expressions')
export class ExpressionsController {
  constructor(private readonly preview: ExpressionPreviewService) {}

  @Post('evaluate')
  @HttpCode(200)
  @RequireScope('processes:read')
  @ApiOperation({
    summary:
      "Evaluate an expression on a sample payload in the engine's sandbox: its value (defined: false when it gives nothing); 400 INVALID_ARGUMENT when it does not parse, 422 EXPRESSION_FAILED when it fails or runs into a limit, both with details.position",
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['defined', 'value'],
      properties: { defined: { type: 'boolean' }, value: { description: 'Any JSON value; null when not defined' } },
    },
  })
  evaluate(@Param('tenantId') tenantId: string, @Body() body: EvaluateExpressionDto): Promise<ExpressionValue> {
    return this.preview.evaluate(tenantId, body.expression, body.payload, body.vars);
  }
}
