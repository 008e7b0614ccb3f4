import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { describeColumnTypes, type ColumnTypeView } from '../catalogue/column-types/index.js';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ColumnTypeDto } from './dto.js';

/** The column types columns may have, with what the console shows about each: the same for every tenant. */
@ApiTags('catalogue')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@Controller('api')
export class ColumnTypesController {
  @Get('column-types')
  @RequireScope('catalogue:read')
  @ApiOperation({ summary: 'The column types a column may have: name, label, description and whether it takes a lookup object' })
  @ApiOkResponse({ type: [ColumnTypeDto] })
  list(): ColumnTypeView[] {
    return describeColumnTypes();
  }
}
